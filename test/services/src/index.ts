export { startMosquitto, type MosquittoBroker } from './mosquitto';
export { startPostgres, type PostgresServer } from './postgres';
export { freePort, waitForPort } from './ports';
