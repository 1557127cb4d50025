export interface ObjectRef {
  bucket: string;
  key: string;
}

/** Where documents' bytes live (S3 in AWS and locally). */
export interface DocumentStore {
  put(input: {
    key: string;
    bytes: Uint8Array;
    contentType: string;
    contentDisposition?: string;
    metadata?: Record<string, string>;
  }): Promise<ObjectRef>;
  get(ref: ObjectRef): Promise<Uint8Array>;
  /**
   * A time-limited link to read the object. `attachmentName` makes browsers download it; `asPlainText` serves it
   * as text/plain, so an e-mailed HTML receipt can never run a script in anyone's browser.
   */
  presignGet(
    ref: ObjectRef,
    expiresInSeconds: number,
    options?: { attachmentName?: string; asPlainText?: boolean },
  ): Promise<string>;
  /** A time-limited PUT link for exactly this content type and length (S3 rejects anything else). */
  presignPut(input: {
    key: string;
    contentType: string;
    contentLength: number;
    expiresInSeconds: number;
  }): Promise<string>;
  head(ref: ObjectRef): Promise<{ size: number; contentType: string | null } | null>;
}
