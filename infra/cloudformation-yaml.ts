import { parse, type Tags } from "yaml";

/** A CloudFormation intrinsic kept as data: { Ref }, { "Fn::GetAtt": [id, attr] }, { "Fn::Sub": ... }. */
export type Intrinsic = { Ref: string } | { "Fn::GetAtt": [string, string] } | { "Fn::Sub": unknown };

const intrinsicTags: Tags = [
  { tag: "!Ref", resolve: (value: string) => ({ Ref: value }) },
  {
    tag: "!GetAtt",
    resolve: (value: string) => {
      const dot = value.indexOf(".");
      return { "Fn::GetAtt": [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  { tag: "!Sub", resolve: (value: string) => ({ "Fn::Sub": value }) },
  { tag: "!Sub", collection: "seq", resolve: (value) => ({ "Fn::Sub": value.toJSON() }) },
];

/** Parses a CloudFormation/SAM YAML document, keeping the short-form intrinsic tags as their long forms. */
export function parseCloudFormationYaml(text: string): Record<string, unknown> {
  const doc = parse(text, { customTags: intrinsicTags });
  if (doc === null || typeof doc !== "object") return {};
  return doc as Record<string, unknown>;
}
