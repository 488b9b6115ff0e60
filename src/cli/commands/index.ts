import type { Command } from 'commander';
import { register as run } from './run.js';
import { register as validate } from './validate.js';
import { register as powerflow } from './powerflow.js';
import { register as contract } from './contract.js';
import { register as sweep } from './sweep.js';
import { register as compare } from './compare.js';
import { register as diagram } from './diagram.js';
import { register as report } from './report.js';
import { register as keys } from './keys.js';
import { register as verify } from './verify.js';
import { register as clear } from './clear.js';
import { register as serve } from './serve.js';
import { register as worker } from './worker.js';
import { register as docs } from './docs.js';

/** Every `degsim` command, in the order `--help` lists them. */
export const commands: readonly ((program: Command) => void)[] = [run, validate, clear, powerflow, contract, sweep, worker, compare, diagram, report, docs, serve, keys, verify];
