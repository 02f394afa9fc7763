export { default as beaconApi, type AppOptions } from './app.js'
export { createServer, loggerOptions, type ServerOptions } from './create-server.js'
export { loadConfig, ConfigError, type ApiConfig } from './config.js'
export { reloadTlsCertificate } from './tls/reload.js'
