{{/*
The components, in render order: values key -> component name (label, object name suffix, image name part).
*/}}
{{- define "kull-sync.components" -}}
gateway: gateway
creditService: credit-service
shootService: shoot-service
promptService: prompt-service
publishService: publish-service
{{- end -}}

{{/* The enabled components as a list of dicts {key, name, values}, the loop every per-component template runs. */}}
{{- define "kull-sync.enabledComponents" -}}
{{- $root := . -}}
{{- $out := list -}}
{{- range $key, $name := include "kull-sync.components" . | fromYaml -}}
{{- $values := index $root.Values $key -}}
{{- if $values.enabled -}}
{{- $out = append $out (dict "key" $key "name" $name) -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "items" $out) -}}
{{- end -}}

{{- define "kull-sync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release prefix, at most 63 characters. */}}
{{- define "kull-sync.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A component's object name: the release prefix cut so that prefix-component stays within 63 characters, so two
components never collide however long the release name. Call with (dict "root" $ "name" "credit-service").
*/}}
{{- define "kull-sync.componentName" -}}
{{- $room := sub 62 (len .name) | int -}}
{{- printf "%s-%s" (include "kull-sync.fullname" .root | trunc $room | trimSuffix "-") .name -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (no version, no chart), so upgrades never orphan pods. */}}
{{- define "kull-sync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kull-sync.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}
{{- end -}}

{{/* Every object's labels. Call with (dict "root" $ "name" component-or-empty). */}}
{{- define "kull-sync.labels" -}}
{{ include "kull-sync.selectorLabels" . }}
app.kubernetes.io/part-of: kull-sync
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* The image of a component: global registry and tag unless the component sets its own. */}}
{{- define "kull-sync.image" -}}
{{- $global := .root.Values.global.image -}}
{{- $repository := .values.image.repository -}}
{{- if $global.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $global.registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (.values.image.tag | default $global.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* Seconds the pod gets from the preStop pause to SIGKILL: the pause, the drain (gateway), a margin. */}}
{{- define "kull-sync.terminationGracePeriodSeconds" -}}
{{- add .values.preStopSeconds (.values.drainSeconds | default 0) .values.shutdownMarginSeconds -}}
{{- end -}}

{{/* Whether more than one replica of a component can exist: only then a PodDisruptionBudget makes sense. */}}
{{- define "kull-sync.multiReplica" -}}
{{- if .values.autoscaling.enabled -}}
{{- if gt (int .values.autoscaling.maxReplicas) 1 }}true{{ end -}}
{{- else if gt (int .values.replicas) 1 -}}
true
{{- end -}}
{{- end -}}

{{/* Name of a Kafka client setting as the environment variable Quarkus maps to it (sasl.mechanism -> KAFKA_SASL_MECHANISM). */}}
{{- define "kull-sync.kafkaEnvName" -}}
{{- printf "KAFKA_%s" (. | upper | replace "." "_" | replace "-" "_") -}}
{{- end -}}

{{/* Fails the render, naming the value to set, where production would otherwise start insecure or broken. */}}
{{- define "kull-sync.validate" -}}
{{- $v := .Values -}}
{{- if not $v.kafka.bootstrapServers -}}
{{- fail "kafka.bootstrapServers is required: the host:port list of your Kafka brokers (this chart does not run Kafka)" -}}
{{- end -}}
{{- if not $v.localDevelopment.enabled -}}
{{- if not $v.auth.existingSecret -}}
{{- fail "auth.existingSecret is required: the name of an existing Secret holding the JWT secret (key auth.jwtSecretKey) or public key (auth.jwtPublicKeyKey) and the services' API keys (auth.apiKeysKey). This chart never generates secrets; only a local cluster may run without (localDevelopment.enabled=true)" -}}
{{- end -}}
{{- if and (not $v.auth.jwtSecretKey) (not $v.auth.jwtPublicKeyKey) -}}
{{- fail "auth.jwtSecretKey or auth.jwtPublicKeyKey must name the key of the JWT secret or public key in auth.existingSecret" -}}
{{- end -}}
{{- end -}}
{{- if and $v.kafka.topics.strimzi.enabled (not $v.kafka.topics.strimzi.clusterName) -}}
{{- fail "kafka.topics.strimzi.clusterName is required with kafka.topics.strimzi.enabled: the Strimzi Kafka cluster's name (label strimzi.io/cluster)" -}}
{{- end -}}
{{- if and $v.publishService.enabled $v.publish.teams (not $v.publish.teamKeys.existingSecret) -}}
{{- fail "publish.teamKeys.existingSecret is required with publish.teams: the Secret whose key publish.teamKeys.key holds the teams' keys as team=key,... (PUBLISH_TEAM_KEYS)" -}}
{{- end -}}
{{- if and $v.kafka.secretConfig.settings (not $v.kafka.secretConfig.existingSecret) -}}
{{- fail "kafka.secretConfig.existingSecret is required with kafka.secretConfig.settings: the Secret those keys are read from" -}}
{{- end -}}
{{- range $key, $name := include "kull-sync.components" . | fromYaml -}}
{{- $c := index $v $key -}}
{{- range $env, $_ := $c.env -}}
{{- $managed := dict "PUBLISH_TEAMS" "publish.teams" "PUBLISH_TEAM_KEYS" "publish.teamKeys" "PUBLISH_TEAMS_FILE" "publish.teams" "HTTP_PORT" (printf "%s.port" $key) "GATEWAY_DRAIN_PERIOD" "gateway.drainSeconds" "GATEWAY_POD_ID" "the pod name, through the downward API" "GATEWAY_AUTH_DEV_TOKENS" "localDevelopment.enabled" "SYNC_SERVICE_ALLOW_ANONYMOUS" "localDevelopment.enabled" "GATEWAY_CORS_ORIGINS" "cors.allowedOrigins" "QUARKUS_HTTP_CORS_ORIGINS" "cors.allowedOrigins" "JAVA_OPTS_APPEND" (printf "%s.jvm" $key) -}}
{{- if hasKey $managed $env -}}
{{- fail (printf "%s.env.%s is set by the chart: it comes from %s" $key $env (index $managed $env)) -}}
{{- end -}}
{{- if or (hasPrefix "KAFKA_" $env) (hasPrefix "GATEWAY_AUTH_JWT" $env) (hasPrefix "SYNC_SERVICE_JWT" $env) (eq $env "SYNC_SERVICE_API_KEYS") -}}
{{- fail (printf "%s.env.%s is set by the chart: use kafka.config / kafka.secretConfig for Kafka and auth.* for credentials" $key $env) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A component's non-secret settings, as environment variables (the ConfigMap its pods read, and the checksum that
rolls them when it changes). Call with (dict "root" $ "key" "gateway" "name" "gateway").
*/}}
{{- define "kull-sync.configData" -}}
{{- $v := .root.Values -}}
{{- $c := index $v .key -}}
{{- $data := dict "HTTP_PORT" (toString $c.port) "KAFKA_BOOTSTRAP_SERVERS" $v.kafka.bootstrapServers -}}
{{- $_ := set $data "JAVA_OPTS_APPEND" (printf "-XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=%v %s" $c.jvm.maxRAMPercentage $c.jvm.extraOptions | trim) -}}
{{- range $setting, $value := $v.kafka.config -}}
{{- $_ := set $data (include "kull-sync.kafkaEnvName" $setting) (toString $value) -}}
{{- end -}}
{{- if $v.kafka.tls.caSecret -}}
{{- $_ := set $data "KAFKA_SSL_TRUSTSTORE_TYPE" "PEM" -}}
{{- $_ := set $data "KAFKA_SSL_TRUSTSTORE_LOCATION" (printf "/etc/kull-sync/kafka-ca/%s" $v.kafka.tls.caKey) -}}
{{- end -}}
{{- $create := $v.kafka.topics.create | toString -}}
{{- if $v.cors.allowedOrigins -}}
{{- $_ := set $data (ternary "GATEWAY_CORS_ORIGINS" "QUARKUS_HTTP_CORS_ORIGINS" (eq .key "gateway")) (join "," $v.cors.allowedOrigins) -}}
{{- end -}}
{{- if eq .key "gateway" -}}
{{- $_ := set $data "GATEWAY_DRAIN_PERIOD" (printf "%ds" (int $c.drainSeconds)) -}}
{{- $_ := set $data "GATEWAY_KAFKA_CREATE_TOPICS" $create -}}
{{- if $v.kafka.topics.create -}}
{{- $_ := set $data "GATEWAY_KAFKA_TOPIC_PARTITIONS" (toString $v.kafka.topics.partitions) -}}
{{- $_ := set $data "GATEWAY_KAFKA_TOPIC_REPLICATION" (toString $v.kafka.topics.replication) -}}
{{- end -}}
{{- if $v.auth.issuer -}}
{{- $_ := set $data "GATEWAY_AUTH_ISSUER" $v.auth.issuer -}}
{{- end -}}
{{- if $v.localDevelopment.enabled -}}
{{- $_ := set $data "GATEWAY_AUTH_DEV_TOKENS" "true" -}}
{{- end -}}
{{- else -}}
{{- $_ := set $data "SYNC_SERVICE_CREATE_TOPIC_ENABLED" $create -}}
{{- if $v.kafka.topics.create -}}
{{- $_ := set $data "SYNC_SERVICE_CREATE_TOPIC_PARTITIONS" (toString $v.kafka.topics.partitions) -}}
{{- $_ := set $data "SYNC_SERVICE_CREATE_TOPIC_REPLICATION" (toString $v.kafka.topics.replication) -}}
{{- end -}}
{{- if $v.auth.issuer -}}
{{- $_ := set $data "SYNC_SERVICE_JWT_ISSUER" $v.auth.issuer -}}
{{- end -}}
{{- if $v.localDevelopment.enabled -}}
{{- $_ := set $data "SYNC_SERVICE_ALLOW_ANONYMOUS" "true" -}}
{{- end -}}
{{- end -}}
{{- if and (eq .key "publishService") $v.publish.teams -}}
{{- $_ := set $data "PUBLISH_TEAMS" (dict "teams" $v.publish.teams | toJson) -}}
{{- end -}}
{{- range $name, $value := $c.env -}}
{{- $_ := set $data $name (toString $value) -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* Settings read from Secrets, as env entries: credentials (auth.*) and Kafka's secret settings. */}}
{{- define "kull-sync.secretEnv" -}}
{{- $v := .root.Values -}}
{{- $prefix := ternary "GATEWAY_AUTH_JWT" "SYNC_SERVICE_JWT" (eq .key "gateway") -}}
{{- if $v.auth.existingSecret }}
{{- if $v.auth.jwtSecretKey }}
- name: {{ $prefix }}_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.existingSecret }}
      key: {{ $v.auth.jwtSecretKey }}
{{- end }}
{{- if $v.auth.jwtPublicKeyKey }}
- name: {{ $prefix }}_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.existingSecret }}
      key: {{ $v.auth.jwtPublicKeyKey }}
{{- end }}
{{- if and (ne .key "gateway") $v.auth.apiKeysKey }}
- name: SYNC_SERVICE_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.existingSecret }}
      key: {{ $v.auth.apiKeysKey }}
{{- end }}
{{- end }}
{{- if and (eq .key "publishService") $v.publish.teamKeys.existingSecret }}
- name: PUBLISH_TEAM_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $v.publish.teamKeys.existingSecret }}
      key: {{ $v.publish.teamKeys.key }}
{{- end }}
{{- range $setting, $secretKey := $v.kafka.secretConfig.settings }}
- name: {{ include "kull-sync.kafkaEnvName" $setting }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.secretConfig.existingSecret }}
      key: {{ $secretKey }}
{{- end }}
{{- end -}}
