module github.com/crossguard/crossguard

go 1.26.8

require (
	github.com/mozillazg/go-pinyin v0.21.0
	github.com/mozillazg/go-unidecode v0.2.0
	github.com/spf13/cobra v1.10.2
	github.com/xrash/smetrics v0.0.0-20250705151800-55b8f293f342
	golang.org/x/text v0.43.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
