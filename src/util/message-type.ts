/** The name a message's type goes by in errors and reports: its `type` if a string, else its kind. */
export function describeMessageType(message: unknown): string {
  if (message !== null && typeof message === 'object' && typeof (message as { type?: unknown }).type === 'string')
    return (message as { type: string }).type;
  return message === null ? 'null' : Array.isArray(message) ? 'array' : typeof message;
}
