/** What a pull or a push tells as it goes; the CLI draws it, the engine never prints. */
export interface TransferListener {
  trying(name: string): void;
  /** A blob to copy, or one the other side has already. */
  layer(digest: string, size: number, alreadyThere: boolean): void;
  bytes(digest: string, n: number): void;
  layerDone(digest: string): void;
  writing(): void;
}

export const silent: TransferListener = { trying() {}, layer() {}, bytes() {}, layerDone() {}, writing() {} };
