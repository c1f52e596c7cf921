export * from './kafka-client-authentication';
export * from './kafka-cluster';
