// Which events roll a deployment back automatically: the checkboxes the group form and the create-deployment page share.
import { AutoRollbackEvent } from '@drover/contracts';

const LABEL: Record<AutoRollbackEvent, string> = {
  DEPLOYMENT_FAILURE: 'When a deployment fails',
  DEPLOYMENT_STOP_ON_ALARM: 'When an alarm stops a deployment',
  DEPLOYMENT_STOP_ON_REQUEST: 'When someone stops a deployment',
};

export function RollbackEventChoices({
  value,
  onChange,
  disabled = false,
}: {
  value: readonly AutoRollbackEvent[];
  onChange: (events: AutoRollbackEvent[]) => void;
  disabled?: boolean;
}) {
  return (
    <>
      {AutoRollbackEvent.options.map((ev) => (
        <label className="choice choice-nested" key={ev}>
          <input
            type="checkbox"
            disabled={disabled}
            checked={value.includes(ev)}
            onChange={(e) => onChange(e.target.checked ? [...value, ev] : value.filter((x) => x !== ev))}
          />
          <span>{LABEL[ev]}</span>
        </label>
      ))}
    </>
  );
}
