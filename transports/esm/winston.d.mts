export * from '../dist/winston.js'
