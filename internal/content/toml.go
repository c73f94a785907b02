package content

import "github.com/BurntSushi/toml"

func decodeTOML(src []byte, v any) error {
	_, err := toml.Decode(string(src), v)
	return err
}
