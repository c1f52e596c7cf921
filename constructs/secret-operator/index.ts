export * from './tls-trust-store';
export * from './secret-volume';
