import { type TSchema, Type } from "@sinclair/typebox";
import { MAX_CONTENT_LENGTH } from "../../domain/message-body";

/** Pages beyond any real table; keeps OFFSET arithmetic exact (a page above 2^53 is refused, not rounded). */
export const MAX_PAGE = 1_000_000;

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "Stable code, e.g. VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN" }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: "The offending field's path, for VALIDATION_FAILED" })),
    requestId: Type.String({ description: "Quote it: the server log has this request's lines under it" }),
  },
  { $id: "ErrorBody", title: "ErrorBody" },
);

/** A route's own error statuses (the ones every route shares are added by openapi.ts). */
export const errorReply = Type.Ref("ErrorBody");

export const AudienceBody = Type.Unknown({
  title: "Audience",
  description:
    'Who receives the campaign: {"kind":"all"}, {"kind":"range","from":1,"to":1000}, or ' +
    '{"kind":"filter","match":"all"|"any","conditions":[{"field","op","value"}]}. ' +
    "GET /audiences/fields lists the fields, their operators and values.",
  examples: [
    {
      kind: "filter",
      match: "all",
      conditions: [
        { field: "marketing_opt_in", op: "eq", value: true },
        { field: "tier", op: "in", value: ["gold", "vip"] },
      ],
    },
  ],
});

export const IdParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: "Campaign (messaging_log) ID" }),
});

export const Paging = {
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

export const pageOf = <T extends TSchema>(item: T, title: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      page: Type.Integer(),
      pageSize: Type.Integer(),
      total: Type.Integer(),
    },
    { title },
  );

export const CreateCampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    content: Type.String({ minLength: 1, maxLength: MAX_CONTENT_LENGTH }),
    templateId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    audience: AudienceBody,
  },
  { additionalProperties: false, title: "CreateCampaignRequest" },
);

export const CreateCampaignReply = Type.Object(
  {
    logId: Type.Integer(),
    queuedCount: Type.Integer({
      description: "Recipients the audience matched; they are being enqueued in the background",
    }),
    status: Type.String(),
  },
  { title: "CreateCampaignReply" },
);

export const ResumeCampaignReply = Type.Object(
  {
    logId: Type.Integer(),
    totalCount: Type.Integer(),
    fromChunk: Type.Integer({ description: "The first chunk sent again; those below were on the queue" }),
    afterUserId: Type.Integer({ description: "Users up to this id were on the queue" }),
    status: Type.Literal("QUEUEING"),
  },
  { title: "ResumeCampaignReply" },
);

const campaignSummaryProperties = {
  id: Type.Integer(),
  name: Type.Union([Type.String(), Type.Null()]),
  requestedBy: Type.String(),
  requestedAt: Type.String({ format: "date-time" }),
  audience: Type.Unknown(),
  status: Type.String(),
  totalCount: Type.Integer(),
  queuedCount: Type.Integer(),
  enqueueFailedCount: Type.Integer(),
  sentCount: Type.Integer(),
  failedCount: Type.Integer(),
  updatedAt: Type.String({ format: "date-time" }),
  completedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  interrupted: Type.Boolean({
    description:
      "QUEUEING, but its producer stopped sending heartbeats: POST /campaigns/{id}/resume continues it",
  }),
};

const DlqShare = Type.Object(
  { messages: Type.Integer(), recipients: Type.Integer() },
  { title: "CampaignDlqShare", description: "This campaign's messages in the DLQ (GET /dlq?logId=)" },
);

export const CampaignSummary = Type.Object(
  { ...campaignSummaryProperties, dlq: DlqShare },
  { title: "CampaignSummary" },
);

export const CampaignDetail = Type.Object(
  {
    ...campaignSummaryProperties,
    content: Type.String(),
    templateId: Type.Union([Type.String(), Type.Null()]),
    progress: Type.Object({
      total: Type.Integer(),
      notYetQueued: Type.Integer({ description: "Still being enqueued" }),
      queued: Type.Integer(),
      enqueueFailed: Type.Integer(),
      sent: Type.Integer(),
      failed: Type.Integer(),
      awaitingResult: Type.Integer({
        description: "Queued without a final result: on the queue, in flight, or in the DLQ (see GET /dlq)",
      }),
    }),
    failureReasons: Type.Array(Type.Object({ errorCode: Type.String(), count: Type.Integer() })),
    dlq: DlqShare,
    failureReasonsAsOf: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description:
        "When the reasons were counted: during a large drain they trail failedCount by a second or two",
    }),
    failedAttempts: Type.Object(
      {
        total: Type.Integer(),
        byCode: Type.Array(
          Type.Object(
            {
              code: Type.String({
                description: "CARRIER_HTTP_503, CARRIER_TIMEOUT, CARRIER_RATE_LIMITED, ...",
              }),
              count: Type.Integer(),
              lastDetail: Type.String({
                description: "The carrier's own code and message, where it gave one",
              }),
              lastAt: Type.String({ format: "date-time" }),
            },
            { title: "AttemptReason" },
          ),
        ),
      },
      {
        description:
          "Deliveries that did not complete (retried, deferred, or on their way to the DLQ), by code: " +
          "why recipients still await a result",
      },
    ),
  },
  { title: "CampaignDetail" },
);

export const FailureRow = Type.Object(
  {
    userId: Type.Integer(),
    phone: Type.String({ description: "Masked" }),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    errorDetail: Type.Union([Type.String(), Type.Null()], { description: "Why, in words" }),
    attempts: Type.Integer({ description: "Deliveries of the recipient's message, across redrives" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { title: "FailureRow" },
);

export const FailuresQuery = Type.Object({
  ...Paging,
  format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
});

export const PreviewBody = Type.Object(
  {
    audience: AudienceBody,
    sampleSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 5 })),
  },
  { additionalProperties: false, title: "PreviewRequest" },
);

export const PreviewReply = Type.Object(
  {
    count: Type.Integer(),
    sample: Type.Array(
      Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        phone: Type.String({ description: "Masked" }),
        tier: Type.String(),
        region: Type.String(),
      }),
    ),
  },
  { title: "PreviewReply" },
);

export const AudienceFieldsReply = Type.Array(
  Type.Object({
    field: Type.String(),
    label: Type.String(),
    kind: Type.Union([Type.Literal("boolean"), Type.Literal("enum"), Type.Literal("date")], {
      description: "How the value is entered; dates are YYYY-MM-DD",
    }),
    ops: Type.Array(Type.String()),
    values: Type.Union([Type.Array(Type.String()), Type.Null()], {
      description: "The values an enum offers",
    }),
  }),
  { title: "AudienceFieldList" },
);

const dlqMessageProperties = {
  messageId: Type.String(),
  receiveCount: Type.Integer({ description: "ApproximateReceiveCount now: reading the DLQ adds to it" }),
  sentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  logId: Type.Union([Type.Integer(), Type.Null()]),
  chunkId: Type.Union([Type.Integer(), Type.Null()]),
  userIds: Type.Array(Type.Integer()),
  parseError: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  failures: Type.Array(
    Type.Object(
      {
        receiveCount: Type.Integer(),
        code: Type.String({ description: "CARRIER_HTTP_503, CARRIER_TIMEOUT, CARRIER_RATE_LIMITED, ..." }),
        detail: Type.String({ description: "The carrier's own error code and message, where it gave one" }),
        at: Type.String({ format: "date-time" }),
      },
      { title: "AttemptRecord" },
    ),
    { description: "Why it is here: its chunk's failed attempts, across redrives, oldest first" },
  ),
};

const nullableString = Type.Union([Type.String(), Type.Null()]);

export const DlqEntry = Type.Object(
  {
    ...dlqMessageProperties,
    errorCode: Type.Union([Type.String(), Type.Null()], {
      description: "The last failed delivery's code, from the handler's attempt rows",
    }),
    errorDetail: Type.Union([Type.String(), Type.Null()], { description: "The carrier's own words" }),
    receiveCountAtMove: Type.Union([Type.Integer(), Type.Null()], {
      description: "The receive count it reached the DLQ with",
    }),
    movedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "Earliest time SQS moved it: the last failure plus the source queue's visibility timeout",
    }),
  },
  { title: "DlqEntry" },
);

export const CampaignTouch = Type.Object(
  {
    logId: Type.Union([Type.Integer(), Type.Null()], {
      description: "null: bodies too malformed to name one",
    }),
    messages: Type.Integer(),
    recipients: Type.Integer(),
  },
  { title: "CampaignTouch" },
);

export const PurgeReply = Type.Object(
  {
    purged: Type.Literal(true),
    messages: Type.Integer(),
    campaigns: Type.Array(
      Type.Object(
        {
          ...CampaignTouch.properties,
          settled: Type.Integer({ description: "Recipients recorded FAILED with code PURGED" }),
        },
        { title: "PurgedCampaign" },
      ),
    ),
  },
  { title: "PurgeReply" },
);

export const DlqReply = Type.Object(
  {
    queue: Type.String(),
    depth: Type.Object({ visible: Type.Integer(), inFlight: Type.Integer(), delayed: Type.Integer() }),
    scannedAt: Type.String({ format: "date-time", description: "When the DLQ was last read through" }),
    complete: Type.Boolean({ description: "False when the DLQ holds more messages than one scan reads" }),
    total: Type.Integer({ description: "Messages read from the DLQ" }),
    matching: Type.Integer({ description: "Of those, the ones the filter matches" }),
    page: Type.Integer(),
    pageSize: Type.Integer(),
    items: Type.Array(DlqEntry),
    campaigns: Type.Array(CampaignTouch),
    errorCodes: Type.Array(
      Type.Object({ errorCode: nullableString, messages: Type.Integer() }, { title: "DlqErrorCount" }),
    ),
    note: Type.String(),
  },
  { title: "DlqReply" },
);

export const DlqQuery = Type.Object({
  ...Paging,
  logId: Type.Optional(Type.Integer({ minimum: 1, description: "Only messages of this campaign" })),
  errorCode: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: "Only messages whose last failure had this code",
    }),
  ),
  refresh: Type.Optional(
    Type.Boolean({ description: "Read the DLQ through now, not from the kept snapshot" }),
  ),
});

export const RedriveSelectedBody = Type.Object(
  {
    logId: Type.Optional(Type.Integer({ minimum: 1, description: "Every DLQ message of this campaign" })),
    messageIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        minItems: 1,
        maxItems: 500,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false, title: "RedriveSelectedRequest" },
);

export const MovedReply = Type.Object(
  { messages: Type.Integer(), recipients: Type.Integer(), campaigns: Type.Array(CampaignTouch) },
  { title: "RedriveSelectedReply" },
);

export const RedriveBody = Type.Object(
  { maxPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false, title: "RedriveRequest" },
);

export const RedriveTask = Type.Object(
  {
    taskHandle: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    maxPerSecond: Type.Union([Type.Integer(), Type.Null()]),
    moved: Type.Integer(),
    toMove: Type.Union([Type.Integer(), Type.Null()]),
    startedAt: Type.Union([Type.String(), Type.Null()]),
    failureReason: Type.Union([Type.String(), Type.Null()]),
  },
  { title: "RedriveTask" },
);

export const PurgeBody = Type.Object(
  { confirm: Type.String({ description: "The DLQ's name, typed out" }) },
  { additionalProperties: false, title: "PurgeRequest" },
);

const AlarmState = Type.String({ description: "OK, ALARM, INSUFFICIENT_DATA (UNKNOWN with no source)" });

export const AlarmsReply = Type.Object(
  {
    configured: Type.Boolean(),
    state: AlarmState,
    note: Type.Optional(Type.String()),
    alarms: Type.Array(
      Type.Object({
        name: Type.String(),
        state: AlarmState,
        reason: Type.String(),
        stateChangedAt: Type.String({ format: "date-time" }),
      }),
    ),
    history: Type.Array(
      Type.Object({
        name: Type.String(),
        from: AlarmState,
        to: AlarmState,
        reason: Type.String(),
        at: Type.String({ format: "date-time" }),
      }),
    ),
  },
  { title: "AlarmsReply" },
);

const Reachability = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number() });

export const HealthReply = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
    db: Reachability,
    sqs: Reachability,
  },
  { title: "HealthReply" },
);

export const WhoAmIReply = Type.Object(
  {
    name: Type.String(),
    role: Type.Union([Type.Literal("viewer"), Type.Literal("operator")]),
  },
  { title: "WhoAmIReply" },
);
