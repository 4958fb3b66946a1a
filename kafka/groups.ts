// The consumer group of each consuming role, before the topic prefix the roles put in front.
// Kept apart from the roles so that what only needs the names (every role process's lag
// watcher, the chart's tests) does not load the roles' code: the lag watcher importing them
// from the roles put the sink's and the rate role's module graphs into every role process.
export const AGGREGATE_GROUP = 'meterline-aggregate';
export const SINK_GROUP = 'meterline-sink';
export const RATE_GROUP = 'meterline-rate';
