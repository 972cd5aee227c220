module github.com/tripline/tripline

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/valyala/fastjson v1.6.10 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
