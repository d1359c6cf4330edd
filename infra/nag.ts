import { Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Helpers for cdk-nag 3 acknowledgements (`Validations.of(construct).acknowledge`).
 *
 * cdk-nag reports granular rules such as `AwsSolutions-IAM5` once per offending resource
 * string, with the CloudFormation references flattened (`Ref` → `<LogicalId>`, `Fn::GetAtt`
 * → `<LogicalId.Attribute>`, `Fn::Join` joined). These helpers build the same finding id
 * from the token we granted, so that each acknowledgement names exactly one finding and
 * never silences a wildcard that was not reviewed.
 */

/** Flattens a resolved CloudFormation value the way cdk-nag names its findings. */
export function flattenReference(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/}/g, ">");
  if (typeof value === "object" && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node["Fn::Join"];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (node["Fn::Sub"] !== undefined) return flattenReference(node["Fn::Sub"]);
    const getAtt = node["Fn::GetAtt"];
    if (Array.isArray(getAtt)) {
      return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
    }
    if (node["Fn::ImportValue"] !== undefined) return flattenReference(node["Fn::ImportValue"]);
    if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * The `AwsSolutions-IAM5` finding id that cdk-nag reports for a resource granted in a
 * policy of `scope`'s stack, or undefined when the resource has no wildcard.
 */
export function wildcardResourceFindingId(scope: IConstruct, resource: string): string | undefined {
  const flat = flattenReference(Stack.of(scope).resolve(resource));
  return flat.includes("*") ? `AwsSolutions-IAM5[Resource::${flat}]` : undefined;
}

/**
 * Acknowledges the `AwsSolutions-IAM5` finding for one wildcard resource granted to the
 * IAM entity `scope` (a role, or a managed policy), with the reason it is needed.
 */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  const id = wildcardResourceFindingId(scope, resource);
  if (id !== undefined) Validations.of(scope).acknowledge({ id, reason });
}
