/**
 * The FCM HTTP v1 `Message` resource (projects.messages), field by field, as the API parses
 * it: proto3 JSON, so each field may be spelled snake_case or lowerCamelCase, and names it
 * does not know are an error.
 */
export type FieldRule =
  | 'string' | 'bool' | 'int' | 'number' | 'duration' | 'timestamp'
  /** Free-form JSON object (google.protobuf.Struct). */
  | 'struct'
  /** map<string, string>. */
  | 'stringMap'
  | { list: FieldRule }
  | { enum: readonly string[] }
  | { fields: Record<string, FieldRule> }

const fcmOptions = { fields: { analytics_label: 'string' } } as const

const androidNotification: FieldRule = {
  fields: {
    title: 'string',
    body: 'string',
    icon: 'string',
    color: 'string',
    sound: 'string',
    tag: 'string',
    click_action: 'string',
    body_loc_key: 'string',
    body_loc_args: { list: 'string' },
    title_loc_key: 'string',
    title_loc_args: { list: 'string' },
    channel_id: 'string',
    ticker: 'string',
    sticky: 'bool',
    event_time: 'timestamp',
    local_only: 'bool',
    notification_priority: { enum: ['PRIORITY_UNSPECIFIED', 'PRIORITY_MIN', 'PRIORITY_LOW', 'PRIORITY_DEFAULT', 'PRIORITY_HIGH', 'PRIORITY_MAX'] },
    default_sound: 'bool',
    default_vibrate_timings: 'bool',
    default_light_settings: 'bool',
    vibrate_timings: { list: 'duration' },
    visibility: { enum: ['VISIBILITY_UNSPECIFIED', 'PRIVATE', 'PUBLIC', 'SECRET'] },
    notification_count: 'int',
    light_settings: {
      fields: {
        color: { fields: { red: 'number', green: 'number', blue: 'number', alpha: 'number' } },
        light_on_duration: 'duration',
        light_off_duration: 'duration'
      }
    },
    image: 'string',
    bypass_proxy_notification: 'bool',
    proxy: { enum: ['PROXY_UNSPECIFIED', 'ALLOW', 'DENY', 'IF_PRIORITY_LOWERED'] }
  }
}

export const messageRule: FieldRule = {
  fields: {
    name: 'string',
    data: 'stringMap',
    notification: { fields: { title: 'string', body: 'string', image: 'string' } },
    android: {
      fields: {
        collapse_key: 'string',
        priority: { enum: ['NORMAL', 'HIGH'] },
        ttl: 'duration',
        restricted_package_name: 'string',
        data: 'stringMap',
        notification: androidNotification,
        fcm_options: fcmOptions,
        direct_boot_ok: 'bool',
        bandwidth_constrained_ok: 'bool',
        restricted_satellite_ok: 'bool'
      }
    },
    webpush: {
      fields: {
        headers: 'stringMap',
        data: 'stringMap',
        notification: 'struct',
        fcm_options: { fields: { link: 'string', analytics_label: 'string' } }
      }
    },
    apns: {
      fields: {
        headers: 'stringMap',
        payload: 'struct',
        fcm_options: { fields: { analytics_label: 'string', image: 'string' } },
        live_activity_token: 'string'
      }
    },
    fcm_options: fcmOptions,
    token: 'string',
    topic: 'string',
    condition: 'string'
  }
}

/** The body of `messages:send`. */
export const sendRequestRule: FieldRule = { fields: { validate_only: 'bool', message: messageRule } }
