import t from 'tap'
import { runCorpus } from './run-corpus.js'

// Every call of PushServerClient 1.0.0 (wultra/powerauth-push-server) against one api: fixtures/1.0.0.json.
// guarantee: powerauth-client-corpus
t.test('PushServerClient 1.0.0: every call answers as the client reads it', (t) => runCorpus(t, '1.0.0'))
