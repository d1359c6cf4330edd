/**
 * Compile-time ties between the API's schemas and the domain's types: a schema whose
 * output drifts from its type (a field added, dropped, renamed or retyped on either side)
 * fails `tsc`, with no cast in between.
 */

/** True when A and B are the same type (not merely assignable one to the other). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only for `true`. */
export type Expect<T extends true> = T;

/** A parsed value as the domain holds it: every array and object readonly, to the leaves. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
