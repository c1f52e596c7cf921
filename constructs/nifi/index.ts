export * from './nifi-cluster';
export * from './nifi-flow';
export * from './nifi-flow-builder';
