/** Base URL of the Quittance HTTP API the CLI talks to (the local cloud by default). */
export const apiUrl = (): string => (process.env.QUITTANCE_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
