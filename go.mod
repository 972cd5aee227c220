module github.com/tripline/tripline

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/klauspost/compress v1.20.3
	github.com/valyala/fastjson v1.6.10
	gopkg.in/yaml.v3 v3.0.1
)
