// The pods run as uid/gid 1000, and their Secret volume's files are mounted
// root:root (kubelet's default without fsGroup) with defaultMode 0440: owner and group root may
// read, "other" (uid 1000) may not. Every *_FILE read then fails with EACCES and the pod (its
// migrate init container first) never starts. kubelet gives the files to fsGroup's group when one is set.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { repositoryRoot } from './repository.js'

interface Pod {
  securityContext?: { runAsUser?: number, runAsGroup?: number, fsGroup?: number, supplementalGroups?: number[] }
  volumes?: Array<{ name: string, secret?: { secretName: string, defaultMode?: number, items?: Array<{ mode?: number }> } }>
}

for (const file of ['api.yaml', 'dispatcher.yaml']) {
  t.test(`${file}: the non-root user can read its mounted secret files`, async (t) => {
    // YAML 1.1, as kubectl reads it: `0440` is octal there (YAML 1.2 would read decimal 440).
    const deployments = parseAllDocuments(readFileSync(join(repositoryRoot, 'deploy', 'kubernetes', file), 'utf8'), { version: '1.1' })
      .map((document) => document.toJS() as { kind: string, spec: { template: { spec: Pod } } })
      .filter((object) => object.kind === 'Deployment')
    t.ok(deployments.length > 0)
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec
      const user = pod.securityContext?.runAsUser ?? 0
      for (const volume of pod.volumes ?? []) {
        if (volume.secret === undefined) continue
        // Secret volume files: owned by root (uid 0), group root unless fsGroup is set; mode defaultMode (0644 by default).
        const mode = volume.secret.defaultMode ?? 0o644
        const group = pod.securityContext?.fsGroup ?? 0
        const groups = [pod.securityContext?.runAsGroup ?? 0, ...(pod.securityContext?.supplementalGroups ?? [])]
        const readable = user === 0 || (mode & 0o004) !== 0 || ((mode & 0o040) !== 0 && groups.includes(group))
        t.ok(readable, `volume ${volume.name}: mode ${mode.toString(8)}, owner 0:${group}, read by ${user}:${groups.join(',')}`)
      }
    }
  })
}
