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
    metadata?: Record<string, string>;
  }): Promise<ObjectRef>;
  get(ref: ObjectRef): Promise<Uint8Array>;
  /** A time-limited link to read the object. */
  presignGet(ref: ObjectRef, expiresInSeconds: number): Promise<string>;
}
