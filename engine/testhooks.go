package engine

import "github.com/orderwatch/orderwatch/api"

// DamageRecordForTest changes one record behind its checksum, as a flipped
// byte on disk would. For tests of other packages only.
func DamageRecordForTest(j *Journal, p api.Provider, ref string) error {
	_, err := j.db.Exec("UPDATE intents SET summary = summary || '!' WHERE provider=? AND client_reference=?", string(p), ref)
	return err
}
