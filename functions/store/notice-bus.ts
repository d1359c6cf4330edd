import type { NoticeSink } from "../app/notices.js";
import { cloudEvent, DETAIL_TYPES, NOTICE_SOURCE, type Notice } from "../domain/notices.js";
import { AwsHttp, type AwsTarget, awsError } from "./aws-http.js";

/** PutEvents takes at most 10 entries a call. */
const ENTRIES_PER_CALL = 10;
const ATTEMPTS = 5;

/**
 * Publishes notices to an EventBridge event bus: `Source` the ledger's, `DetailType` the
 * notice's kind (`Sanction Entered Into Force`, …), `Detail` the notice as a CloudEvents
 * document, whose `id` a consumer uses to drop repeats. Entries EventBridge fails are sent
 * again, with backoff; what still fails after that throws, so that the caller is retried.
 */
export class EventBridgeNotices implements NoticeSink {
  private readonly http: AwsHttp;

  constructor(
    private readonly busName: string,
    target: AwsTarget,
    private readonly wait: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
  ) {
    this.http = new AwsHttp("events", target);
  }

  async publish(notices: readonly Notice[]): Promise<void> {
    for (let at = 0; at < notices.length; at += ENTRIES_PER_CALL) {
      await this.putAll(notices.slice(at, at + ENTRIES_PER_CALL));
    }
  }

  private async putAll(notices: readonly Notice[]): Promise<void> {
    let pending = [...notices];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failed = await this.put(pending);
      if (failed.length === 0) return;
      if (attempt === ATTEMPTS) {
        throw new Error(`EventBridge refused ${failed.length} notices: ${failed[0]?.error}`);
      }
      pending = failed.map((f) => f.notice);
      await this.wait(Math.random() * 100 * 2 ** attempt);
    }
  }

  private async put(notices: readonly Notice[]): Promise<{ notice: Notice; error: string }[]> {
    const target = this.http.target;
    const url = new URL(target.endpoint ?? `https://events.${target.region}.amazonaws.com/`);
    const answer = await this.http.send({
      url,
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.PutEvents",
      },
      body: JSON.stringify({
        Entries: notices.map((n) => ({
          EventBusName: this.busName,
          Source: NOTICE_SOURCE,
          DetailType: DETAIL_TYPES[n.kind],
          Time: Math.floor(Date.parse(n.time) / 1000),
          Detail: JSON.stringify(cloudEvent(n)),
        })),
      }),
    });
    if (answer.status !== 200) throw awsError(answer);
    const out = JSON.parse(Buffer.from(answer.body).toString("utf8")) as {
      FailedEntryCount?: number;
      Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
    };
    if (!out.FailedEntryCount) return [];
    return (out.Entries ?? []).flatMap((entry, i) =>
      entry.ErrorCode
        ? [{ notice: notices[i] as Notice, error: `${entry.ErrorCode}: ${entry.ErrorMessage}` }]
        : [],
    );
  }
}
