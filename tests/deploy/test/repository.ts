import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: the Dockerfile, docker-compose.yml, deploy/ and README.md are there. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
