#!/usr/bin/env node
console.log('govfed', process.version, process.argv.slice(2));
