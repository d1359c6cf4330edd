import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The app is served under /app/ by the ledger (locally) and by CloudFront (in AWS). */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/app/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: {
    proxy: {
      "^/(entities|sanctions|changes|search|corrections|checkpoints)": "http://127.0.0.1:3000",
    },
  },
});
