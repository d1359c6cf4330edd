// Runs dynalite in its own thread, so that the engine and the ledger use two cores.
import { parentPort, workerData } from "node:worker_threads";
import dynalite from "dynalite";

const server = dynalite(workerData.options);
server.listen(workerData.port, "127.0.0.1", () => {
  parentPort.postMessage({ port: server.address().port });
});
parentPort.on("message", (message) => {
  if (message !== "close") return;
  server.close(() => parentPort.postMessage({ closed: true }));
  server.closeAllConnections();
});
