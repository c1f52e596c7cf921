export * from './tls-trust-store';
