export { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.js'
export { loadConfig, ConfigError, type DispatcherConfig, type RetryPolicy } from './config.js'
