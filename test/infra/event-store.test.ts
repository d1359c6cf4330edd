import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENTS_TABLE, VIEWS_TABLE } from "../../functions/store/keys.js";
import {
  actionMatches,
  asArray,
  containsGetAtt,
  eventsTable,
  functionBehindMethods,
  functionsBehindMethods,
  ledgerTemplate,
  policies,
  resources,
  roleOf,
  type Statement,
  streamConsumer,
  TEMPLATE_WAIT_MS,
  tableItselfResources,
} from "./support.js";

let template: Template;
beforeAll(async () => {
  template = await ledgerTemplate();
}, TEMPLATE_WAIT_MS);

describe("the tables", () => {
  it("are two: the events table and the views table, keyed as keys.ts says", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 2);
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: EVENTS_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: EVENTS_TABLE.sortKey, KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: EVENTS_TABLE.partitionKey, AttributeType: "S" },
        { AttributeName: EVENTS_TABLE.sortKey, AttributeType: "N" },
      ]),
    });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: VIEWS_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: VIEWS_TABLE.sortKey, KeyType: "RANGE" },
      ],
    });
  });

  it("events table: a NEW_IMAGE stream and the two local indexes (keys only)", () => {
    const [, table] = eventsTable(template);
    expect(table.Properties?.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
    const lsis = table.Properties?.LocalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown;
      Projection: unknown;
    }[];
    expect(lsis).toHaveLength(2);
    for (const index of [EVENTS_TABLE.byEventId, EVENTS_TABLE.byRecordedAt]) {
      expect(lsis).toContainEqual({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: EVENTS_TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      });
      expect(table.Properties?.AttributeDefinitions).toContainEqual({
        AttributeName: index.sortKey,
        AttributeType: "S",
      });
    }
  });

  it("both: on-demand, PITR, deletion protection, encrypted, retained, no physical name", () => {
    template.resourcePropertiesCountIs(
      "AWS::DynamoDB::Table",
      {
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        TableName: Match.absent(),
      },
      2,
    );
    for (const [, table] of resources(template, "AWS::DynamoDB::Table")) {
      expect(table.DeletionPolicy).toBe("Retain");
      expect(table.UpdateReplacePolicy).toBe("Retain");
    }
  });
});

describe("least privilege on the events table", () => {
  const forbidden = ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];

  /**
   * Whether a policy resource may designate the events table: the table's ARN or anything
   * built on it (its indexes, `…/*`), or a wildcard pattern that names no other resource.
   */
  function mayDesignateEventsTable(resource: unknown, tableId: string): boolean {
    if (containsGetAtt(resource, tableId, "Arn")) return true;
    const text = JSON.stringify(resource);
    return text.includes("*") && !text.includes("Fn::GetAtt") && !text.includes('"Ref"');
  }

  /** Every Allow statement of every policy that may apply to the events table. */
  function eventsTableStatements(): { roles: string[]; statement: Statement }[] {
    const [tableId] = eventsTable(template);
    return policies(template).flatMap((policy) =>
      policy.statements
        .filter(
          (s) =>
            s.Effect === "Allow" &&
            asArray(s.Resource).some((resource) => mayDesignateEventsTable(resource, tableId)),
        )
        .map((statement) => ({ roles: policy.roles, statement })),
    );
  }

  it("finds the policies that reference the events table", () => {
    // Every function's role: the writer, the reader and the audit function read the events,
    // the projector, the sequencer and the notices' two functions their stream, and every
    // role (the proofs and docs functions' too) has X-Ray's statements on `*`.
    const roles = new Set(eventsTableStatements().flatMap((s) => s.roles));
    expect(roles.size).toBe(9);
  });

  it("no statement that may apply to the events table allows UpdateItem, DeleteItem or BatchWriteItem", () => {
    for (const { statement } of eventsTableStatements()) {
      for (const pattern of asArray(statement.Action)) {
        for (const action of forbidden) {
          expect(actionMatches(pattern, action), `${pattern} allows ${action}`).toBe(false);
        }
      }
    }
  });

  it("only the writer (the function behind POST) may PutItem on the events table", () => {
    const writerRole = roleOf(template, functionBehindMethods(template, "POST"));
    const putters = eventsTableStatements().filter(({ statement }) =>
      asArray(statement.Action).some((pattern) => actionMatches(pattern, "dynamodb:PutItem")),
    );
    expect(putters.length).toBeGreaterThan(0);
    for (const { roles } of putters) expect(roles).toEqual([writerRole]);
  });

  it("the writer may read its stream through the two local indexes, by name", () => {
    const [tableId] = eventsTable(template);
    const writerRole = roleOf(template, functionBehindMethods(template, "POST"));
    const indexStatements = policies(template)
      .filter((policy) => policy.roles.includes(writerRole))
      .flatMap((policy) => policy.statements)
      .filter(
        (s) =>
          containsGetAtt(s.Resource, tableId, "Arn") && !tableItselfResources(s, tableId).length,
      );
    const indexArns = JSON.stringify(indexStatements.map((s) => s.Resource));
    expect(indexArns).toContain(`/index/${EVENTS_TABLE.byEventId.indexName}`);
    expect(indexArns).toContain(`/index/${EVENTS_TABLE.byRecordedAt.indexName}`);
    expect(indexArns).not.toContain("/index/*");
    for (const s of indexStatements) expect(asArray(s.Action)).toEqual(["dynamodb:Query"]);
  });

  it("no role may Scan any table: every route answers with Query and GetItem", () => {
    const actions = policies(template).flatMap((policy) =>
      policy.statements.flatMap((s) => asArray(s.Action)),
    );
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action).not.toMatch(/^dynamodb:(Scan|\*|Sc\*|S\*)$/);
      expect(action).not.toBe("*");
    }
  });

  it("no function behind a GET method gets a write on any table", () => {
    const readers = functionsBehindMethods(template, "GET");
    expect(readers).toHaveLength(4);
    const readerRoles = readers.map((fn) => roleOf(template, fn));
    for (const policy of policies(template).filter((p) =>
      p.roles.some((role) => readerRoles.includes(role)),
    )) {
      for (const statement of policy.statements) {
        for (const pattern of asArray(statement.Action)) {
          for (const action of [...forbidden, "dynamodb:PutItem"]) {
            expect(actionMatches(pattern, action), pattern).toBe(false);
          }
        }
      }
    }
  });

  it("the projector reads the stream by its ARN, and writes only the views table", () => {
    const [tableId] = eventsTable(template);
    const projectorRole = roleOf(template, streamConsumer(template));
    const statements = policies(template)
      .filter((policy) => policy.roles.includes(projectorRole))
      .flatMap((policy) => policy.statements);
    const streamRead = statements.filter((s) => containsGetAtt(s.Resource, tableId, "StreamArn"));
    expect(streamRead.flatMap((s) => asArray(s.Action))).toEqual(
      expect.arrayContaining(["dynamodb:GetRecords", "dynamodb:GetShardIterator"]),
    );
    const [viewsId] = resources(template, "AWS::DynamoDB::Table").find(
      ([id]) => id !== tableId,
    ) ?? [""];
    const writes = statements.filter((s) =>
      asArray(s.Action).some((pattern) => actionMatches(pattern, "dynamodb:PutItem")),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      expect(asArray(s.Resource)).toEqual([{ "Fn::GetAtt": [viewsId, "Arn"] }]);
    }
  });
});
