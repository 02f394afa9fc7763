import t from 'tap'
import { runCorpus } from './run-corpus.js'

// Every call of PushServerClient 1.9.1 (wultra/powerauth-push-server) against one api: fixtures/1.9.1.json.
await runCorpus(t, '1.9.1')
