// The Dockerfile as `docker build` reads it, parsed by dockerfile-ast (the VS Code Docker language
// server's parser): its stages in order, each with its instructions. Shared by the structural
// checks (dockerfile.test.ts) and the run of its production install (production-install.test.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DockerfileParser, type Instruction, type ModifiableInstruction } from 'dockerfile-ast'
import { repositoryRoot } from './repository.js'

export const dockerfileText = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8')

export interface Stage { name: string | null, image: string, instructions: Instruction[] }

/** The stages in order, each with the instructions after its FROM. */
function stagesOf (instructions: Instruction[]): Stage[] {
  const stages: Stage[] = []
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue())
      stages.push({ name: as?.toUpperCase() === 'AS' ? name ?? null : null, image: image ?? '', instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

export const stages = stagesOf(DockerfileParser.parse(dockerfileText).getInstructions())

/** The instructions of `stage` with this keyword (RUN, COPY, CMD, …), in order. */
export const instructionsOf = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.getKeyword() === keyword)

/** The value of a `--name=value` flag (COPY --from), or undefined. */
export const flagOf = (instruction: Instruction, name: string) =>
  (instruction as ModifiableInstruction).getFlags().find((flag) => flag.getName() === name)?.getValue() ?? undefined
