// The deploy form's "Override the group's alarms for this deployment": off by default; on, the deployment is created
// with overrideAlarmConfiguration {enabled: false, alarms: []} (CodeDeploy's way to ship a fix while an alarm fires).
export function AlarmOverride({
  alarmNames,
  value,
  onChange,
}: {
  alarmNames: readonly string[];
  value: boolean;
  onChange: (ignore: boolean) => void;
}) {
  return (
    <fieldset>
      <legend>Alarms</legend>
      <p className="small muted">
        The group watches {alarmNames.join(', ')}: an alarm stops the deployment (ALARM_ACTIVE).
      </p>
      <label className="choice">
        <input type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} />
        <span>Override the group&apos;s alarms for this deployment: ignore them</span>
      </label>
      {value ? (
        <p className="notice notice-warning" role="note">
          No alarm is watched while this deployment runs, and nothing stops it if one fires. The override is recorded in
          the audit log with your name, and needs the right to change the deployment group.
        </p>
      ) : null}
    </fieldset>
  );
}
