import t from 'tap'
import { runCorpus } from './run-corpus.js'

// Every call of PushServerClient on the develop branch (1.10.0-SNAPSHOT) of wultra/powerauth-push-server
// at commit 8e32a9a85c7d540bffd80f1a978ea19703d042d2 against one api: fixtures/develop-8e32a9a.json.
// guarantee: powerauth-client-corpus
t.test('PushServerClient develop (8e32a9a): every call answers as the client reads it', (t) => runCorpus(t, 'develop-8e32a9a'))
