// Public entry point of the samsa package.
export { startBroker, type StartBrokerOptions, type EmbeddedBroker, type EmbeddedTopic } from './embedded.js';
export { Broker } from './broker/broker.js';
export { BrokerConfig } from './broker/config.js';
export type { Logger } from './broker/logger.js';
export * from './client/index.js';
