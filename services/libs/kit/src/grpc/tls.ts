import { readFile } from 'node:fs/promises';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';

/** Server TLS from PEM files (the shape `serverTlsSection()` parses). */
export interface ServerTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA bundle that client certificates must chain to (mutual TLS). */
  readonly caFile?: string;
  /** Refuse clients without a certificate signed by `caFile`. */
  readonly requireClientCert?: boolean;
}

/** Client TLS from PEM files (the shape `clientTlsSection()` parses). */
export interface ClientTlsFiles {
  /** CA bundle the server certificate must chain to. */
  readonly caFile: string;
  /** Our certificate and key, for mutual TLS. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** Reads one PEM file; the error names the file and the role, never the content. */
async function readPem(path: string, role: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read TLS ${role} file '${path}': ${reason}`, { cause: error });
  }
}

/** Server credentials: insecure without `tls`, TLS with it, mutual TLS with a CA and `requireClientCert`. */
export async function loadServerCredentials(tls?: ServerTlsFiles): Promise<ServerCredentials> {
  if (!tls) return ServerCredentials.createInsecure();
  const [cert, key, ca] = await Promise.all([
    readPem(tls.certFile, 'certificate'),
    readPem(tls.keyFile, 'key'),
    tls.caFile === undefined ? Promise.resolve(null) : readPem(tls.caFile, 'CA'),
  ]);
  if (tls.requireClientCert && ca === null) {
    throw new Error('requiring client certificates needs a CA file');
  }
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: cert, private_key: key }],
    tls.requireClientCert ?? false,
  );
}

/** Channel credentials: insecure without `tls`, TLS with it, mutual TLS with a certificate and key. */
export async function loadClientCredentials(tls?: ClientTlsFiles): Promise<ChannelCredentials> {
  if (!tls) return ChannelCredentials.createInsecure();
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error('a client certificate and its key go together');
  }
  const [ca, cert, key] = await Promise.all([
    readPem(tls.caFile, 'CA'),
    tls.certFile === undefined ? Promise.resolve(null) : readPem(tls.certFile, 'certificate'),
    tls.keyFile === undefined ? Promise.resolve(null) : readPem(tls.keyFile, 'key'),
  ]);
  return ChannelCredentials.createSsl(ca, key, cert);
}
