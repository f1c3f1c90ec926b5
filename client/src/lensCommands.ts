// Maps the server's command ids in code lenses to the client's own commands, so that a click opens
// the contract beside the code instead of only returning data to nobody.
import type * as vscode from 'vscode';

const SERVER_PREFIX = 'perfcontract.server.';

/** The client command that handles a server command id, or undefined when there is none. */
export function clientCommandFor(serverCommand: string): string | undefined {
  if (!serverCommand.startsWith(SERVER_PREFIX)) return undefined;
  const name = serverCommand.slice(SERVER_PREFIX.length);
  return ['generateContract', 'showWorstCase', 'evaluateClass'].includes(name) ? `perfcontract.${name}` : undefined;
}

/** Rewrites a lens's command in place (same title and arguments) and returns it. */
export function rewriteLensCommand<T extends Pick<vscode.CodeLens, 'command'>>(lens: T): T {
  const command = lens.command;
  if (command) {
    const replacement = clientCommandFor(command.command);
    if (replacement) lens.command = { ...command, command: replacement };
  }
  return lens;
}
