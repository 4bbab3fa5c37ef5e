/**
 * Ctrl-C handling for training loops: the first Ctrl-C asks the loop to stop after the current
 * batch (so the checkpoint it then saves is consistent and resumable); a second one quits at once.
 */

export class StopRequest {
  private reason: string | null = null;

  request(reason: string): void {
    if (this.reason === null) this.reason = reason;
  }

  get requested(): boolean {
    return this.reason !== null;
  }

  get why(): string | null {
    return this.reason;
  }
}

/**
 * Listens for SIGINT while training runs. Returns the function that removes the listener again
 * (call it in a `finally`, so a demo run in-process leaves no handler behind).
 */
export function onInterrupt(stop: StopRequest, notify: (message: string) => void, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let presses = 0;
  const handler = (): void => {
    presses++;
    if (presses === 1) {
      stop.request('interrupted');
      notify('Ctrl-C: stopping after the current batch (press Ctrl-C again to quit immediately)');
    } else {
      notify('Ctrl-C again: quitting without saving');
      exit(130);
    }
  };
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}
