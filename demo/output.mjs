#!/usr/bin/env node
// Prints an output of the running platform, as `terragrunt output` does:
//   export API_URL=$(node demo/output.mjs api_url [--env dev] [--state DIR])
// Without a name it prints them all as JSON.
import { parseArgs } from 'node:util';
import { readOutputs, stateDir } from './lib/stack.mjs';

const { values: args, positionals } = parseArgs({
  options: { env: { type: 'string', default: 'dev' }, state: { type: 'string' } },
  allowPositionals: true,
});
try {
  const outputs = readOutputs(stateDir(args.env, args.state));
  if (positionals.length === 0) {
    console.log(JSON.stringify(outputs, null, 2));
  } else if (positionals[0] in outputs) {
    console.log(outputs[positionals[0]]);
  } else {
    throw new Error(`no output "${positionals[0]}" (outputs: ${Object.keys(outputs).join(', ')})`);
  }
} catch (err) {
  console.error(`output: ${err.message}`);
  process.exit(1);
}
