/** Thrown for a `nextToken` this API did not issue (or issued for another route). */
export class InvalidToken extends Error {
  constructor() {
    super("nextToken is not one this API issued for this route");
    this.name = "InvalidToken";
  }
}

/** An opaque continuation token: the position after which the next page starts. */
export function encodeToken(route: string, position: string | number): string {
  return Buffer.from(JSON.stringify({ r: route, p: position })).toString("base64url");
}

export function decodeToken(route: string, token: string): string | number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      r?: unknown;
      p?: unknown;
    };
    if (parsed.r === route && (typeof parsed.p === "string" || typeof parsed.p === "number")) {
      return parsed.p;
    }
  } catch {
    // not a token of ours
  }
  throw new InvalidToken();
}
