module github.com/plaza-dev/plaza/pkg/plazapay

go 1.23.0
