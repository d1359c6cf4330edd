import { createHmac, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Notices } from "../functions/app/notices.js";
import { encodeToken } from "../functions/app/tokens.js";
import { dateOf } from "../functions/domain/dates.js";
import { type CloudEvent, cloudEvent, type Notice } from "../functions/domain/notices.js";
import type { Services } from "../functions/handlers/wiring.js";

/** The header that carries a notice's signature: `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = "ledger-signature";
/** The environment variable that may hold the signing secret. */
export const SECRET_ENV = "LEDGER_NOTIFY_SECRET";
/** The content type of a CloudEvent in structured mode. */
export const CLOUDEVENTS_JSON = "application/cloudevents+json; charset=utf-8";

/** The signature of a body, as the header carries it. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * The signing secret: `LEDGER_NOTIFY_SECRET` if set, else the file `notify-secret` of the
 * data directory, created with 32 random bytes (hex) on first use, readable by its owner only.
 */
export function notifySecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[SECRET_ENV];
  if (fromEnv) return fromEnv;
  const file = join(dataDir, "notify-secret");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

/** Options of a {@link LocalNotifier}. */
export interface NotifierOptions {
  /** Where notices are POSTed. */
  url: string;
  /** The notifier's own directory (`<data>/notices`): outbox, delivered ids, cursor, last day run. */
  dir: string;
  secret: string;
  services: Services;
  /** @default () => new Date() */
  now?: () => Date;
  /** How often the feed is read for new notices. @default 250 ms */
  pollMs?: number;
  /** The first wait after a failed delivery, doubled at each failure up to `maxBackoffMs`. @default 500 ms */
  backoffMs?: number;
  /** @default 60 s */
  maxBackoffMs?: number;
  log?: (message: string) => void;
}

/**
 * Re-reading the feed this far before the last notice taken: a notice filed late (an append
 * projected after a later one) is still found; the outbox and the delivered ids drop repeats.
 */
const OVERLAP_MS = 60_000;

/**
 * The local runtime's notices: the feed's notices and each day's (at 00:00 UTC, and on start
 * for the days missed while the server was down) go into an outbox of files under the data
 * directory, and are POSTed one at a time, oldest first, as CloudEvents 1.0 JSON documents
 * signed with HMAC-SHA256. A failed delivery is retried with capped exponential backoff and
 * full jitter, the same notice until it is accepted (a 2xx answer). Every step is written to
 * disk before the next: a restart, or a crash, loses no notice; a crash between a delivery
 * and its record sends that notice once more, with the same id.
 */
export class LocalNotifier {
  private readonly outbox: string;
  private readonly delivered: string;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private readonly now: () => Date;

  constructor(private readonly options: NotifierOptions) {
    this.outbox = join(options.dir, "outbox");
    this.delivered = join(options.dir, "delivered");
    mkdirSync(this.outbox, { recursive: true });
    mkdirSync(this.delivered, { recursive: true });
    this.now = options.now ?? (() => new Date());
  }

  /** Starts taking in and delivering notices. */
  start(): void {
    this.loops.push(this.takeLoop(), this.deliverLoop());
  }

  /** Stops, and waits for a delivery in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
  }

  /** The notices waiting in the outbox, oldest first. */
  pending(): string[] {
    return readdirSync(this.outbox)
      .filter((f) => f.endsWith(".json"))
      .sort();
  }

  private async takeLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.runDays();
        await this.takeFeed();
      } catch (error) {
        this.log(`notices: ${(error as Error).message}`);
      }
      await this.sleep(this.options.pollMs ?? 250);
    }
  }

  /** The daily notices of every day since the last run, today included (on a first run, today). */
  private async runDays(): Promise<void> {
    const file = join(this.options.dir, "last-day");
    const last = existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
    const today = dateOf(this.now());
    if (last === today) return;
    const { notices } = this.options.services;
    for (const day of Notices.daysAfter(last, today)) {
      const found = await notices.runDay(day);
      for (const notice of found) this.enqueue(notice);
      writeAtomically(file, day);
    }
  }

  /** The feed's notices after the cursor (less the overlap) into the outbox. */
  private async takeFeed(): Promise<void> {
    const file = join(this.options.dir, "cursor");
    const cursor = existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
    let since =
      cursor === undefined
        ? undefined
        : encodeToken("notices", new Date(Date.parse(cursor) - OVERLAP_MS).toISOString());
    for (;;) {
      const page = await this.options.services.audit.notices({
        limit: 500,
        ...(since === undefined ? {} : { since }),
      });
      for (const event of page.items) this.enqueueEvent(event);
      const last = page.items[page.items.length - 1];
      if (!last) return;
      if (cursor === undefined || last.time > cursor) writeAtomically(file, last.time);
      if (page.items.length < 500) return;
      since = page.cursor;
    }
  }

  private enqueue(notice: Notice): void {
    this.enqueueEvent(cloudEvent(notice));
  }

  /** Writes the notice into the outbox unless it is there already or was delivered. */
  private enqueueEvent(event: CloudEvent): void {
    if (existsSync(join(this.delivered, event.id))) return;
    const name = `${event.time}_${event.id}.json`;
    const path = join(this.outbox, name);
    if (existsSync(path)) return;
    writeAtomically(path, JSON.stringify(event));
    this.wake();
  }

  private async deliverLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const next = this.pending()[0];
      if (next === undefined) {
        await this.sleep(this.options.pollMs ?? 250);
        continue;
      }
      const path = join(this.outbox, next);
      const body = readFileSync(path, "utf8");
      const id = (JSON.parse(body) as CloudEvent).id;
      // Delivered, and stopped before it left the outbox.
      if (existsSync(join(this.delivered, id))) {
        unlinkSync(path);
        continue;
      }
      if (await this.post(body)) {
        failures = 0;
        writeFileSync(join(this.delivered, id), "");
        unlinkSync(path);
        continue;
      }
      failures++;
      const cap = Math.min(
        this.options.maxBackoffMs ?? 60_000,
        (this.options.backoffMs ?? 500) * 2 ** (failures - 1),
      );
      await this.sleep(Math.random() * cap);
    }
  }

  private async post(body: string): Promise<boolean> {
    try {
      const response = await fetch(this.options.url, {
        method: "POST",
        headers: {
          "content-type": CLOUDEVENTS_JSON,
          [SIGNATURE_HEADER]: signatureOf(this.options.secret, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.ok) return true;
      this.log(`notice not accepted by ${this.options.url}: ${response.status}`);
    } catch (error) {
      this.log(`notice not delivered to ${this.options.url}: ${(error as Error).message}`);
    }
    return false;
  }

  /** Waits `ms`, or until something is enqueued or the notifier stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  private log(message: string): void {
    (this.options.log ?? console.error)(message);
  }
}

/** Writes a file whole or not at all: a crash never leaves half a notice. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
