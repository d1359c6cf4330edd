/** An `--allowed-host` value as a URL would spell its host name: a name, not a URL or port. */
export function allowedHostName(value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(`http://${value}`);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.host !== parsed.hostname || parsed.hostname !== value.toLowerCase()) {
    throw new Error(`--allowed-host ${value} is not a host name (give a name, without a port)`);
  }
  return parsed.hostname;
}
