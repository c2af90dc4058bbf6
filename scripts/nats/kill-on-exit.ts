/** What to run when this process exits: each child's SIGKILL, registered by killOnExit. */
const onExit = new Set<() => void>();

function killAll(): void {
  for (const kill of onExit) {
    try {
      kill();
    } catch {
      // One child that cannot be signalled does not spare the others.
    }
  }
}

/**
 * Runs `kill` (synchronous: a child's SIGKILL) if this process exits before the returned function
 * is called, so a test or a bench that dies leaves no broker or app behind. One `exit` listener
 * serves every registration: an estate of many processes (the bench starts three estates side by
 * side) stays under Node's listener warning. The returned function unregisters; calling it twice
 * is harmless.
 */
export function killOnExit(kill: () => void): () => void {
  const entry = (): void => kill();
  if (onExit.size === 0) process.on('exit', killAll);
  onExit.add(entry);
  return () => {
    if (!onExit.delete(entry)) return;
    if (onExit.size === 0) process.removeListener('exit', killAll);
  };
}
