import type { APIGatewayProxyEvent } from "aws-lambda";
import { appendEnvelopeSchema, DATA_SCHEMAS, entityIdSchema } from "../api/schemas.js";
import type { AppendRequest } from "../app/ledger.js";
import { illFormedString, invalid, parseWith } from "./http.js";

/** The `{entityId}` path parameter, validated. */
export function entityIdOf(event: APIGatewayProxyEvent): string {
  return parseWith(entityIdSchema, event.pathParameters?.entityId ?? "", "/entityId", "path");
}

/** Validates an append body: the envelope first, then `data` against its type's schema. */
export function parseAppend(body: unknown, prefix = ""): AppendRequest {
  const broken = illFormedString(body);
  if (broken !== undefined) {
    throw invalid([
      {
        path: `${prefix}${broken}`,
        message: "holds an unpaired surrogate: not valid Unicode text",
      },
    ]);
  }
  const envelope = parseWith(appendEnvelopeSchema, body, prefix);
  const data = parseWith(DATA_SCHEMAS[envelope.type], envelope.data, `${prefix}/data`);
  return { ...envelope, data } as AppendRequest;
}
