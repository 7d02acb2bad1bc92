package main

// maxRuleFile caps `fault add --file` (read with config.ReadFileMax, which says
// why files are capped): the admin API takes no larger body.
const maxRuleFile = 1 << 20
