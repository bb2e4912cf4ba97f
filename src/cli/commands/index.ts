import type { Command } from 'commander';

/** Every sub-command registers itself on the root program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
