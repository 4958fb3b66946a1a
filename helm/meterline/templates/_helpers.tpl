{{/* Names, labels and the pieces every role's pod shares. */}}

{{- define "meterline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "meterline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Object name of one role: <fullname>-<role>, at most 63 characters. */}}
{{- define "meterline.roleName" -}}
{{- printf "%s-%s" (include "meterline.fullname" .root) .role | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "meterline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object of the release. */}}
{{- define "meterline.labels" -}}
helm.sh/chart: {{ include "meterline.chart" . }}
app.kubernetes.io/name: {{ include "meterline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: meterline
{{- end }}

{{/* Selector of one role's pods: name + instance + component, so no two roles' selectors overlap. */}}
{{- define "meterline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meterline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* Labels of one role's objects. */}}
{{- define "meterline.roleLabels" -}}
{{ include "meterline.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "meterline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "meterline.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "meterline.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "meterline.catalogConfigMap" -}}
{{- default (printf "%s-catalog" (include "meterline.fullname" .)) .Values.catalog.existingConfigMap }}
{{- end }}

{{- define "meterline.secretName" -}}
{{- printf "%s-secrets" (include "meterline.fullname" .) }}
{{- end }}

{{/* Consumer roles: scaled by Kafka lag through KEDA when keda.enabled. */}}
{{- define "meterline.isConsumer" -}}
{{- if has . (list "aggregate" "sink" "rate") }}true{{ end }}
{{- end }}

{{/* HTTP roles: get a Service. */}}
{{- define "meterline.isHttp" -}}
{{- if has . (list "ingest" "api") }}true{{ end }}
{{- end }}

{{/* True when KEDA manages this role's replica count. */}}
{{- define "meterline.kedaManaged" -}}
{{- if and .root.Values.keda.enabled (include "meterline.isConsumer" .role) }}true{{ end }}
{{- end }}

{{/* True when an HPA manages this role's replica count (never together with KEDA). */}}
{{- define "meterline.hpaManaged" -}}
{{- if and .cfg.autoscaling .cfg.autoscaling.enabled (not (include "meterline.kedaManaged" .)) }}true{{ end }}
{{- end }}

{{/*
Chart-made Secret data: every secret variable with a value, in groups without existingSecret.
Returns YAML (key: base64) so the Secret and its checksum come from one place.
*/}}
{{- define "meterline.secretData" -}}
{{- range $group, $g := .Values.secrets }}
{{- if not $g.existingSecret }}
{{- range $var, $e := $g.env }}
{{- if $e.value }}
{{ $e.key }}: {{ $e.value | toString | b64enc }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* env entries for the secret variables: from existingSecret, else from the chart-made Secret. */}}
{{- define "meterline.secretEnv" -}}
{{- $chartSecret := .secretName }}
{{- range $group, $g := .root.Values.secrets }}
{{- range $var, $e := $g.env }}
{{- if $g.existingSecret }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $g.existingSecret }}
      key: {{ $e.key }}
      {{- if $e.optional }}
      optional: true
      {{- end }}
{{- else if $e.value }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $chartSecret }}
      key: {{ $e.key }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Environment of a meterline container: config, chart-set variables, secrets, role env. */}}
{{- define "meterline.env" -}}
{{- $root := .root }}
{{- $values := $root.Values }}
{{- $env := dict }}
{{- range $k, $v := $values.config }}{{ $_ := set $env $k (toString $v) }}{{ end }}
{{- $_ := set $env "PORT" (toString $values.port) }}
{{- if not .noCatalog }}
{{- $_ := set $env "METERLINE_CATALOG" (printf "/etc/meterline/catalog/%s" $values.catalog.fileName) }}
{{- end }}
{{- with $values.tls.kafka }}
{{- if .secretName }}
{{- $_ := set $env "KAFKA_SSL" "true" }}
{{- if .caKey }}{{ $_ := set $env "KAFKA_SSL_CA_FILE" (printf "/etc/meterline/kafka-tls/%s" .caKey) }}{{ end }}
{{- if .certKey }}{{ $_ := set $env "KAFKA_SSL_CERT_FILE" (printf "/etc/meterline/kafka-tls/%s" .certKey) }}{{ end }}
{{- if .keyKey }}{{ $_ := set $env "KAFKA_SSL_KEY_FILE" (printf "/etc/meterline/kafka-tls/%s" .keyKey) }}{{ end }}
{{- end }}
{{- end }}
{{- with $values.tls.database }}
{{- if .secretName }}
{{- $_ := set $env "DATABASE_SSL_CA_FILE" (printf "/etc/meterline/database-tls/%s" .caKey) }}
{{- end }}
{{- end }}
{{- range $k, $v := .extra }}{{ $_ := set $env $k (toString $v) }}{{ end }}
{{- range $k := keys $env | sortAlpha }}
- name: {{ $k }}
  value: {{ get $env $k | quote }}
{{- end }}
{{- include "meterline.secretEnv" (dict "root" $root "secretName" (default (include "meterline.secretName" $root) .secretName)) }}
{{- end }}

{{/* Volumes every meterline pod mounts: catalogue, /tmp, TLS material. The migration Job passes
noCatalog: it runs before the release's ConfigMap exists and does not read the catalogue. */}}
{{- define "meterline.volumes" -}}
{{- $v := .root.Values }}
{{- if not .noCatalog }}
- name: catalog
  configMap:
    name: {{ include "meterline.catalogConfigMap" .root }}
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.tmpSizeLimit }}
{{- if $v.tls.kafka.secretName }}
- name: kafka-tls
  secret:
    secretName: {{ $v.tls.kafka.secretName }}
{{- end }}
{{- if $v.tls.database.secretName }}
- name: database-tls
  secret:
    secretName: {{ $v.tls.database.secretName }}
{{- end }}
{{- end }}

{{- define "meterline.volumeMounts" -}}
{{- $v := .root.Values }}
{{- if not .noCatalog }}
- name: catalog
  mountPath: /etc/meterline/catalog
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- if $v.tls.kafka.secretName }}
- name: kafka-tls
  mountPath: /etc/meterline/kafka-tls
  readOnly: true
{{- end }}
{{- if $v.tls.database.secretName }}
- name: database-tls
  mountPath: /etc/meterline/database-tls
  readOnly: true
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when the catalogue or the chart-made Secret changes. */}}
{{- define "meterline.checksums" -}}
{{- if not .Values.catalog.existingConfigMap }}
checksum/catalog: {{ .Values.catalog.content | sha256sum }}
{{- end }}
checksum/secrets: {{ include "meterline.secretData" . | sha256sum }}
{{- end }}

{{/* Topic name as the roles see it: KAFKA_TOPIC_PREFIX + name. */}}
{{- define "meterline.topic" -}}
{{- printf "%s%s" (default "" .root.Values.config.KAFKA_TOPIC_PREFIX) (get .root.Values.topics .key) }}
{{- end }}
