import type { Command } from 'commander';
import { registerValidate } from './validate.js';

/** Every sub-command registers itself on the root program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerValidate];
