/** The function's variables as they may be shown: passwords in URLs and secret-looking values masked. */
export function maskedVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    variables[name] = /KEY|SECRET|TOKEN|PASSWORD/i.test(name) ? "***" : withoutPassword(value);
  }
  return variables;
}

/** A URL with its password replaced by ***; anything else as it is. */
export function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = "***";
    return url.href;
  } catch {
    return value;
  }
}
