import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { constantTimeEqual, createAuthenticator, generateToken, parseAdminTokens, roleAllows } from "../auth";

const tokenSpec = (...entries: string[]) => entries.join(",");

describe("constantTimeEqual", () => {
  it("is true only for identical strings, whatever their lengths", () => {
    // Prepare
    const secret = "s3cret-token-value-0001";
    // Act
    const results = {
      same: constantTimeEqual(secret, `${secret}`),
      lastCharDiffers: constantTimeEqual(secret, "s3cret-token-value-0002"),
      prefix: constantTimeEqual(secret, secret.slice(0, 10)),
      longer: constantTimeEqual(secret, `${secret}x`),
      empty: constantTimeEqual("", secret),
      unicode: constantTimeEqual("토큰-값", "토큰-값"),
    };
    // Assess
    expect(results).toEqual({
      same: true,
      lastCharDiffers: false,
      prefix: false,
      longer: false,
      empty: false,
      unicode: true,
    });
  });
});

describe("parseAdminTokens", () => {
  it("reads name:role:token entries, keeping colons inside the token", () => {
    // Prepare
    const spec = tokenSpec(" alice:operator:abcdefghijklmnop ", "bob:viewer:qrstuvwx:yz0123456");
    // Act
    const tokens = parseAdminTokens(spec);
    // Assess
    expect(tokens).toEqual([
      { name: "alice", role: "operator", token: "abcdefghijklmnop" },
      { name: "bob", role: "viewer", token: "qrstuvwx:yz0123456" },
    ]);
  });

  it.each([
    ["", "ADMIN_TOKENS"],
    ["alice:admin:abcdefghijklmnop", "ADMIN_TOKENS[0].role"],
    ["alice:operator:short", "ADMIN_TOKENS[0].token"],
    ["al ice:operator:abcdefghijklmnop", "ADMIN_TOKENS[0].name"],
    [tokenSpec("a:viewer:abcdefghijklmnop", "a:operator:qrstuvwxyz012345"), "ADMIN_TOKENS[1].name"],
    [tokenSpec("a:viewer:abcdefghijklmnop", "b:operator:abcdefghijklmnop"), "ADMIN_TOKENS[1].token"],
  ])("rejects %j naming %s", (spec, field) => {
    // Prepare
    const parse = () => parseAdminTokens(spec);
    // Act
    const error = (() => {
      try {
        parse();
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it("never echoes a too-short token in its error", () => {
    // Prepare
    const spec = "alice:operator:hunter2";
    // Act
    const message = (() => {
      try {
        parseAdminTokens(spec);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    // Assess
    expect(message).not.toContain("hunter2");
  });
});

describe("createAuthenticator", () => {
  const authenticator = createAuthenticator([
    { name: "alice", role: "operator", token: "alice-token-0123456789" },
    { name: "bob", role: "viewer", token: "bob-token-0123456789ab" },
  ]);

  it("names the principal of a known bearer token and nobody otherwise", () => {
    // Prepare
    const headers = [
      "Bearer alice-token-0123456789",
      "bearer bob-token-0123456789ab",
      "Bearer alice-token-012345678",
      "Basic alice-token-0123456789",
      "alice-token-0123456789",
      undefined,
    ];
    // Act
    const principals = headers.map((header) => authenticator.authenticate(header));
    // Assess
    expect(principals).toEqual([
      { name: "alice", role: "operator" },
      { name: "bob", role: "viewer" },
      null,
      null,
      null,
      null,
    ]);
  });
});

describe("roles and generated tokens", () => {
  it("lets operators do what viewers do, not the reverse; generated tokens parse", () => {
    // Prepare
    const generated = generateToken();
    // Act
    const parsed = parseAdminTokens(`console:operator:${generated}`);
    // Assess
    expect([
      roleAllows("operator", "viewer"),
      roleAllows("viewer", "operator"),
      roleAllows("viewer", "viewer"),
    ]).toEqual([true, false, true]);
    expect(parsed[0]?.token).toBe(generated);
    expect(generateToken()).not.toBe(generated);
  });
});
